import type { Catalogue } from '../catalogue';

export const reconcile: Catalogue['reconcile'] = {};
