import type { DrillPhase, DrillStatus } from '@keepwatch/shared';
import { useI18n } from '../../i18n/i18n-context';
import { PHASES, phaseIndex } from './drills-model';

/** preflight → baseline → fault → observe → restore → verify → report → done, the current one marked. */
export function PhaseSteps({ phase, status }: { phase: DrillPhase; status: DrillStatus }) {
  const { t } = useI18n();
  const now = phaseIndex(phase);
  return (
    <ol
      className="phase-steps"
      aria-label={t.drills.phasesLabel}
      data-testid="drill-phases"
      data-phase={phase}
    >
      {PHASES.map((p, i) => {
        const state =
          i < now || (phase === 'done' && i === now) ? 'past' : i === now ? 'now' : 'next';
        return (
          <li
            key={p}
            className={`phase phase-${state} ${state === 'now' && status === 'running' ? 'phase-live' : ''}`}
            aria-current={state === 'now' ? 'step' : undefined}
          >
            {t.drills.phases[p]}
          </li>
        );
      })}
    </ol>
  );
}
