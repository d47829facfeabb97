/** The local playground's page (web/playground). */
export const playground = {};
