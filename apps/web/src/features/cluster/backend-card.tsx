import type { StatusNode } from '@keepwatch/shared';
import { AgentLine, ClockLine, ServiceLine, StateBadge } from './node-parts';
import { nodeAnchor } from './topology-model';

export function BackendCard({ node, now }: { node: StatusNode; now: number }) {
  const tomcat = node.services.tomcat;
  const tone = tomcat === undefined ? '' : tomcat.healthy ? ' node-ok' : ' node-bad';
  const first = node.vrrp[0];
  return (
    <article
      className={`node node-backend${tone}${node.online ? '' : ' node-offline'}`}
      data-testid={`node-${node.name}`}
      data-role={node.role}
      data-online={String(node.online)}
      data-holds-vip={String(node.vipsHeld.length > 0)}
      data-anchor={nodeAnchor(node.name)}
    >
      <header className="node-head">
        <span className="node-name">{node.name}</span>
        {first && <StateBadge state={first.state} testId={`state-${node.name}`} small />}
      </header>
      <div className="node-sub">
        <AgentLine node={node} now={now} />
      </div>
      <div className="svcs">
        <ServiceLine label="tomcat" service={tomcat} />
        {node.services.nginx && <ServiceLine label="nginx" service={node.services.nginx} />}
        <ClockLine offsetMs={node.clockOffsetMs} />
      </div>
    </article>
  );
}
