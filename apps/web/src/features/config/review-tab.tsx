import { useId, useState } from 'react';
import type { ConfigFinding, PushView } from '@keepwatch/shared';
import { Empty } from '../../app/page-states';
import { useServices } from '../../app/services';
import { useI18n } from '../../i18n/i18n-context';
import { ApiRequestError } from '../../lib/api-client';
import { mainFile, pendingChanges, type Draft, type LiveHost } from './config-draft';
import { DiffView } from './diff-view';
import {
  changesSignature,
  dryRunBlock,
  pushBlock,
  pushRefusal,
  type PushBlock,
} from './push-model';

/** The changes side by side against the live files, then dry run and push (operators). */
export function ReviewTab(props: {
  clusterId: string;
  hosts: readonly LiveHost[];
  draft: Draft;
  findings: readonly ConfigFinding[];
  canPush: boolean;
  push: PushView | null;
  runningElsewhere: boolean;
  watch: (pushId: string) => Promise<void>;
  reload: () => void;
}) {
  const { t } = useI18n();
  const r = t.config.review;
  const changes = pendingChanges(props.hosts, props.draft);
  return (
    <div className="cfg-review">
      <section aria-labelledby="cfg-review-title" className="cfg-diffs" data-testid="review-diffs">
        <h2 id="cfg-review-title">{r.title}</h2>
        {changes.length === 0 ? (
          <Empty>{r.none}</Empty>
        ) : (
          changes.map((c) => {
            const live = props.hosts.find((h) => h.host === c.host);
            const file = live && mainFile(live, c.component);
            return (
              <DiffView
                key={`${c.host}/${c.component}`}
                testId={`diff-${c.host}-${c.component}`}
                title={`${c.host}: ${file?.path ?? c.component}`}
                before={file?.content ?? ''}
                after={c.content}
                beforeLabel={r.before}
                afterLabel={r.after}
              />
            );
          })
        )}
      </section>
      {props.canPush && <PushForm {...props} />}
    </div>
  );
}

function PushForm(props: Parameters<typeof ReviewTab>[0]) {
  const { api } = useServices();
  const { t } = useI18n();
  const p = t.config.push;
  const id = useId();
  const [message, setMessage] = useState('');
  const [dryRunFor, setDryRunFor] = useState<{ pushId: string; signature: string } | null>(null);
  const [starting, setStarting] = useState(false);
  const [problem, setProblem] = useState<{ conflict: boolean; text: string } | null>(null);
  const changes = pendingChanges(props.hosts, props.draft);
  const signature = changesSignature(changes);
  // A dry run counts once it succeeded, for exactly the changes it validated.
  const passed =
    dryRunFor && props.push?.id === dryRunFor.pushId && props.push.status === 'succeeded'
      ? dryRunFor.signature
      : null;
  const gate = {
    changes,
    findings: props.findings,
    message,
    current: props.push,
    dryRunPassedFor: passed,
    runningElsewhere: props.runningElsewhere && !props.push,
  };
  const dryBlock = dryRunBlock(gate);
  const realBlock = pushBlock(gate);

  const start = async (dryRun: boolean): Promise<void> => {
    if (!dryRun && !window.confirm(p.confirm(changes.length))) return;
    setStarting(true);
    setProblem(null);
    try {
      const { pushId } = await api.pushConfig(props.clusterId, {
        message: message.trim(),
        changes,
        ...(dryRun && { dryRun: true }),
      });
      if (dryRun) setDryRunFor({ pushId, signature });
      await props.watch(pushId);
    } catch (err) {
      const f = err instanceof ApiRequestError ? err.failure : undefined;
      const refusal = pushRefusal(
        f && 'status' in f ? f.status : undefined,
        f && 'body' in f ? f.body?.error : undefined,
      );
      const message = (err as Error).message;
      setProblem({
        conflict: refusal === 'conflict',
        text:
          refusal === 'conflict'
            ? p.conflict
            : refusal === 'busy'
              ? p.busyWork(message)
              : p.failed(message),
      });
    } finally {
      setStarting(false);
    }
  };

  const why = (b: PushBlock | null): string | null =>
    b === 'critical-findings'
      ? t.config.review.criticalBlock
      : b === 'need-dry-run'
        ? p.needDryRun
        : b === 'push-running'
          ? p.busy
          : null;
  return (
    <section className="cfg-push" aria-labelledby={`${id}-title`} data-testid="push-form">
      <h2 id={`${id}-title`}>{p.title}</h2>
      <label htmlFor={`${id}-msg`}>{p.message}</label>
      <input
        id={`${id}-msg`}
        data-testid="push-message"
        value={message}
        maxLength={500}
        placeholder={p.messagePlaceholder}
        onChange={(e) => setMessage(e.target.value)}
      />
      <div className="cfg-push-actions">
        <button
          type="button"
          className="ghost"
          data-testid="dry-run"
          disabled={starting || dryBlock !== null}
          onClick={() => void start(true)}
        >
          {p.dryRun}
        </button>
        <button
          type="button"
          className="primary"
          data-testid="push"
          disabled={starting || realBlock !== null}
          aria-describedby={`${id}-why`}
          onClick={() => void start(false)}
        >
          {p.push}
        </button>
      </div>
      <p className="small" data-testid="review-findings">
        {t.config.review.summary(
          ...((['critical', 'warning', 'info'] as const).map(
            (sev) => props.findings.filter((f) => f.severity === sev).length,
          ) as [number, number, number]),
        )}
      </p>
      <p className="muted small">{p.dryRunHint}</p>
      <p className="muted small">{p.pushHint}</p>
      <p id={`${id}-why`} className="small" role="status">
        {starting ? p.starting : passed === signature ? p.dryRunPassed : (why(realBlock) ?? '')}
      </p>
      {problem && (
        <div className="form-error" role="alert" data-testid="push-problem">
          <p>{problem.text}</p>
          {problem.conflict && (
            <button type="button" className="ghost" onClick={props.reload}>
              {p.reload}
            </button>
          )}
        </div>
      )}
    </section>
  );
}
