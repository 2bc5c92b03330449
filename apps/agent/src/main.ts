import { dispatch } from './cli/dispatch';
import { createLogger } from './log';

/*
 * Process entry. `keepwatch-agent run|enroll|install|uninstall|version …`; a bare
 * `--config FILE` still means `run` (labs and older units start it that way).
 * Exit codes: 0 ok, 2 bad arguments or config, 1 a failure while doing the work.
 */

dispatch(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  (err: unknown) => {
    createLogger().error('fatal', {
      err: err instanceof Error ? (err.stack ?? err.message) : String(err),
    });
    process.exit(1);
  },
);
