import pkg from '../package.json' with { type: 'json' };

/** The agent's own version, from its package.json (inlined by the bundler). */
export const AGENT_VERSION: string = pkg.version;
