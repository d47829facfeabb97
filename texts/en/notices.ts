/** UNFINISHED: filled in for issue 19. */
export const notices = {};
