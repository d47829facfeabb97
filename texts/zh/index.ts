import { board } from './board';
import { format } from './format';
import { playground } from './playground';
import { stages } from './stages';

export const zh = { format, stages, board, playground };
