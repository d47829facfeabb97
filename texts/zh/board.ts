/** The ops board's pages (web/board). */
export const board = {};
