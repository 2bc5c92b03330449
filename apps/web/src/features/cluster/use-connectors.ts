import { useLayoutEffect, type RefObject } from 'react';
import type { Edge } from './topology-model';

/**
 * Draws the diagram's lines between DOM boxes. Positions come from layout (flex-wrap, card
 * heights that change with content), so they are measured, and the `d` attribute of each
 * <path data-edge=id> is written directly: no React state, no re-render loop on resize.
 */
export function useConnectors(
  containerRef: RefObject<HTMLElement | null>,
  svgRef: RefObject<SVGSVGElement | null>,
  edges: readonly Edge[],
): void {
  useLayoutEffect(() => {
    const container = containerRef.current;
    const svg = svgRef.current;
    if (!container || !svg) return;

    const find = (anchor: string): HTMLElement | null =>
      container.querySelector<HTMLElement>(`[data-anchor="${CSS.escape(anchor)}"]`);

    const draw = (): void => {
      const box = container.getBoundingClientRect();
      svg.setAttribute('viewBox', `0 0 ${box.width} ${box.height}`);
      for (const edge of edges) {
        const path = svg.querySelector(`path[data-edge="${CSS.escape(edge.id)}"]`);
        const a = find(edge.from)?.getBoundingClientRect();
        const b = find(edge.to)?.getBoundingClientRect();
        if (!path || !a || !b) continue;
        // Bottom-centre of the upper box to top-centre of the lower one, as a soft S-curve.
        // Lines leave the upper box spread towards their target, so fans don't overlap.
        const x2 = b.left + b.width / 2 - box.left;
        const ax = a.left + a.width / 2 - box.left;
        const reach = Math.max(0, a.width / 2 - 16);
        const x1 = ax + Math.max(-reach, Math.min(reach, (x2 - ax) * 0.3));
        const y1 = a.bottom - box.top;
        const y2 = b.top - box.top - 2;
        const my = (y1 + y2) / 2;
        path.setAttribute('d', `M${x1},${y1} C${x1},${my} ${x2},${my} ${x2},${y2}`);
      }
    };

    draw();
    const ro = new ResizeObserver(draw);
    ro.observe(container);
    for (const el of container.querySelectorAll('[data-anchor]')) ro.observe(el);
    return () => ro.disconnect();
  });
}
