import type { Edge as FlowEdge, Node as FlowNode } from '@xyflow/react';
import type { StatusCluster } from '@keepwatch/shared';
import { buildEdges, splitNodes, vipAnchor, nodeAnchor, type EdgeKind } from './topology-model';

/*
 * The topology as React Flow nodes and edges, laid out in three rows: VIPs, load balancers,
 * backends. Pure: same cluster, same layout. Widths match the cards' CSS so rows centre.
 * Master/backup draws one VIP over two LBs; dual-master draws two VIPs, each with a solid
 * edge to its own holder and a dashed one to the LB that would take it over.
 */

export const VIP_W = 250;
export const LB_W = 330;
export const BE_W = 240;
const GAP = 48;
const ROW_Y = { vip: 0, lb: 130, backend: 480 };

export type FlowKind = 'vip' | 'lb' | 'backend';
export interface FlowData extends Record<string, unknown> {
  kind: FlowKind;
  key: string;
}

function row(count: number, width: number, span: number): number[] {
  const total = count * width + Math.max(0, count - 1) * GAP;
  const start = (span - total) / 2;
  return Array.from({ length: count }, (_, i) => start + i * (width + GAP));
}

const EDGE_STYLE: Record<EdgeKind, { animated: boolean; className: string }> = {
  holder: { animated: false, className: 'flow-edge-holder' },
  split: { animated: true, className: 'flow-edge-split' },
  standby: { animated: false, className: 'flow-edge-standby' },
  traffic: { animated: true, className: 'flow-edge-traffic' },
  'traffic-bad': { animated: false, className: 'flow-edge-traffic-bad' },
  idle: { animated: false, className: 'flow-edge-idle' },
};

export function flowGraph(cluster: StatusCluster): {
  nodes: FlowNode<FlowData>[];
  edges: FlowEdge[];
} {
  const { lbs, backends } = splitNodes(cluster);
  const span = Math.max(
    cluster.vips.length * (VIP_W + GAP),
    lbs.length * (LB_W + GAP),
    backends.length * (BE_W + GAP),
  );
  const nodes: FlowNode<FlowData>[] = [];
  const place = (
    kind: FlowKind,
    keys: string[],
    width: number,
    y: number,
    id: (k: string) => string,
  ): void => {
    const xs = row(keys.length, width, span);
    keys.forEach((key, i) =>
      nodes.push({
        id: id(key),
        type: kind,
        position: { x: xs[i] ?? 0, y },
        data: { kind, key },
        draggable: false,
        selectable: false,
        focusable: false,
      }),
    );
  };
  place(
    'vip',
    cluster.vips.map((v) => v.address),
    VIP_W,
    ROW_Y.vip,
    vipAnchor,
  );
  place(
    'lb',
    lbs.map((n) => n.name),
    LB_W,
    ROW_Y.lb,
    nodeAnchor,
  );
  place(
    'backend',
    backends.map((n) => n.name),
    BE_W,
    ROW_Y.backend,
    nodeAnchor,
  );
  const edges: FlowEdge[] = buildEdges(cluster).map((e) => ({
    id: e.id,
    source: e.from,
    target: e.to,
    ...EDGE_STYLE[e.kind],
    data: { kind: e.kind },
  }));
  return { nodes, edges };
}
