/*
 * Tomcat's private CATALINA_BASE starts as a copy of /etc/tomcat10; these pure functions
 * turn the packaged server.xml into one with no shutdown port and exactly one HTTP
 * connector bound to the host's own address, and render the static pages.
 */

export interface TomcatConnector {
  address: string;
  port: number;
}

export function renderTomcatServerXml(original: string, conn: TomcatConnector): string {
  // Comments go first: commented-out connectors would otherwise confuse the edits below.
  let xml = original.replace(/<!--[\s\S]*?-->/g, '');
  if (!/<Server\b/.test(xml)) throw new Error('server.xml: no <Server> element');
  xml = xml.replace(/<Server\b([^>]*)>/, (_m, attrs: string) => {
    const rest = attrs.replace(/\s+port="[^"]*"/, '');
    return `<Server port="-1"${rest}>`;
  });
  // Self-closing connectors, then any with a body (e.g. SSLHostConfig).
  xml = xml.replace(/[ \t]*<Connector\b[^>]*\/>/g, '');
  xml = xml.replace(/[ \t]*<Connector\b[^>]*>[\s\S]*?<\/Connector>/g, '');
  const connector =
    `<Connector port="${conn.port}" address="${conn.address}" protocol="HTTP/1.1"` +
    ` connectionTimeout="20000" maxThreads="50" />`;
  let inserted = false;
  xml = xml.replace(/(<Service\b[^>]*>)/, (m) => {
    inserted = true;
    return `${m}\n    ${connector}`;
  });
  if (!inserted) throw new Error('server.xml: no <Service> element');
  return xml.replace(/\n\s*\n(\s*\n)+/g, '\n\n');
}

export function renderTomcatIndex(host: string, prefix: string): string {
  return `<!doctype html>
<html><head><title>${host}</title></head>
<body><h1>Hello from ${host}</h1><p>Keepwatch lab ${prefix}, Tomcat backend ${host}.</p></body></html>
`;
}

export function renderTomcatHealth(host: string): string {
  return `ok ${host}\n`;
}

export const TOMCAT_JAVA_OPTS =
  '-Djava.awt.headless=true -Xms32m -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto';
