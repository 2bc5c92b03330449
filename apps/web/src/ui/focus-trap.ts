/* Keeping Tab inside a dialog: what can take focus, and where Tab goes at the edges. */

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** The elements inside `root` that Tab can reach, in document order. */
export function focusables(root: Element): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (el) => !el.hidden && el.getClientRects().length > 0,
  );
}

/**
 * Where focus must go instead of the browser's own Tab step: from the last element forward
 * to the first, from the first backward to the last, and from outside the list to its edge.
 * Null when the browser's step already stays inside.
 */
export function nextTrapped<T>(list: readonly T[], active: unknown, backward: boolean): T | null {
  const first = list[0];
  const last = list[list.length - 1];
  if (first === undefined || last === undefined) return null;
  const at = list.indexOf(active as T);
  if (at === -1) return backward ? last : first;
  if (backward && at === 0) return last;
  if (!backward && at === list.length - 1) return first;
  return null;
}
