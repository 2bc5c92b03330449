import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/*
 * <base>/state.json: what this lab started, so `down` (maybe from another process,
 * maybe after a crash) knows which pids are its own. `ip netns pids` is the second net.
 */

export interface ProcessRecord {
  pid: number;
  argv: string[];
  startedAt: string;
}

export interface LabState {
  version: 1;
  prefix: string;
  subnet: string;
  scheme: string;
  /** Which config the lab runs (lab-model.ts); absent in labs made before it existed. */
  config?: string;
  hostIf: string;
  createdAt: string;
  /** Keyed `<host>/<service>` (service: keepalived, nginx, tomcat, agent). */
  processes: Record<string, ProcessRecord>;
}

export class StateStore {
  constructor(readonly baseDir: string) {}

  get file(): string {
    return join(this.baseDir, 'state.json');
  }

  read(): LabState | undefined {
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as LabState;
    } catch {
      return undefined;
    }
  }

  write(state: LabState): void {
    mkdirSync(this.baseDir, { recursive: true, mode: 0o755 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o644 });
    renameSync(tmp, this.file);
  }

  /** Read-modify-write; a missing state file means nothing to record into. */
  update(fn: (s: LabState) => void): void {
    const s = this.read();
    if (!s) return;
    fn(s);
    this.write(s);
  }

  recordProcess(key: string, rec: ProcessRecord): void {
    this.update((s) => {
      s.processes[key] = rec;
    });
  }

  forgetProcess(key: string): void {
    this.update((s) => {
      delete s.processes[key];
    });
  }
}
