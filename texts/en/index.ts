import type { Catalogue } from '../catalogue';
import { board } from './board';
import { format } from './format';
import { playground } from './playground';
import { stages } from './stages';

export const en: Catalogue = { format, stages, board, playground };
