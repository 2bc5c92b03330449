import type { DrillRepository, DrillUpdate } from '../../storage/drill-repository';

/**
 * The runner saves synchronously at each phase; the repository is async. Saves of one drill
 * are written one after another in the order made (a later report never overwritten by an
 * earlier one); a failed save is reported and the next one still runs.
 */
export class SaveChain {
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly repo: DrillRepository,
    private readonly id: string,
    private readonly failed: (err: unknown) => void,
  ) {}

  push(u: DrillUpdate): void {
    this.tail = this.tail.then(() => this.repo.update(this.id, u)).catch(this.failed);
  }

  settled(): Promise<void> {
    return this.tail;
  }
}
