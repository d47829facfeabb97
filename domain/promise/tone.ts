/** Colour of a line's load (0..1): red above 85%, yellow above 70%, blue otherwise. */
export function loadTone(load: number): 'red' | 'yellow' | 'blue' {
  if (load > 0.85) return 'red';
  if (load > 0.7) return 'yellow';
  return 'blue';
}
