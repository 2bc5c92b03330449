import { describe, expect, it } from 'vitest';
import { renderTomcatIndex, renderTomcatServerXml, TOMCAT_JAVA_OPTS } from './render-tomcat';

// Shaped like Debian's /etc/tomcat10/server.xml: comments, a plain connector, an
// executor connector, an SSL connector with a body, an AJP connector.
const PACKAGED = `<?xml version="1.0" encoding="UTF-8"?>
<!-- licence -->
<Server port="8005" shutdown="SHUTDOWN">
  <Listener className="org.apache.catalina.startup.VersionLoggerListener" />
  <Service name="Catalina">
    <Connector port="8080" protocol="HTTP/1.1"
               connectionTimeout="20000"
               redirectPort="8443" />
    <!--
    <Connector executor="tomcatThreadPool" port="8080" protocol="HTTP/1.1" />
    -->
    <Connector port="8443" protocol="org.apache.coyote.http11.Http11NioProtocol" SSLEnabled="true">
        <SSLHostConfig><Certificate certificateKeystoreFile="conf/localhost-rsa.jks" /></SSLHostConfig>
    </Connector>
    <Connector protocol="AJP/1.3" address="::1" port="8009" redirectPort="8443" />
    <Engine name="Catalina" defaultHost="localhost">
      <Host name="localhost" appBase="webapps" unpackWARs="true" autoDeploy="true" />
    </Engine>
  </Service>
</Server>
`;

describe('renderTomcatServerXml', () => {
  const xml = renderTomcatServerXml(PACKAGED, { address: '10.77.0.21', port: 8080 });

  it('disables the shutdown port', () => {
    expect(xml).toContain('<Server port="-1" shutdown="SHUTDOWN">');
    expect(xml).not.toContain('8005');
  });

  it('leaves exactly one HTTP connector, bound to the host address', () => {
    expect(xml.match(/<Connector\b/g)).toHaveLength(1);
    expect(xml).toMatch(/<Connector port="8080" address="10\.77\.0\.21" protocol="HTTP\/1\.1"/);
    expect(xml).not.toContain('AJP');
    expect(xml).not.toContain('SSLHostConfig');
    expect(xml).toContain('<Engine name="Catalina"');
  });

  it('adds a port attribute when <Server> has none', () => {
    const out = renderTomcatServerXml(
      '<Server shutdown="X"><Service name="C"></Service></Server>',
      {
        address: '10.0.0.1',
        port: 8080,
      },
    );
    expect(out).toContain('<Server port="-1" shutdown="X">');
  });

  it('refuses a file without a <Service>', () => {
    expect(() =>
      renderTomcatServerXml('<Server port="1"></Server>', { address: 'a', port: 1 }),
    ).toThrow(/Service/);
  });
});

describe('tomcat pages and options', () => {
  it('names the host', () => {
    expect(renderTomcatIndex('web2', 'kw')).toContain('Hello from web2');
  });
  it('keeps the JVM small', () => {
    expect(TOMCAT_JAVA_OPTS).toBe(
      '-Djava.awt.headless=true -Xms32m -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto',
    );
  });
});
