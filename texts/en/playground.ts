import type { Catalogue } from '../catalogue';

export const playground: Catalogue['playground'] = {};
