import type { Catalogue } from '../catalogue';

export const channels: Catalogue['channels'] = {};
