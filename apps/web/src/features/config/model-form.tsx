import type { ClusterModel, VrrpInstanceModel } from '@keepwatch/shared';
import { useI18n } from '../../i18n/i18n-context';
import { AddField, ParsedField } from './form-fields';
import { intOf, numberOf, parseBackend, parseVip, updateModel } from './model-edit';

/*
 * The common settings of the cluster model as a form: per VRRP instance its VIPs, each load
 * balancer's priority, the advert interval and preempt; the health check's interval, fall,
 * rise and weight; each upstream's backends. Presentational: the model in, a new model out.
 */

type Edit = (edit: (m: ClusterModel) => void) => void;

const vipText = (v: { address: string; prefix: number }): string => `${v.address}/${v.prefix}`;
const str = (n: number): string => String(n);

export function ModelForm(props: {
  model: ClusterModel;
  onChange: (m: ClusterModel) => void;
  readOnly: boolean;
}) {
  const { t } = useI18n();
  const f = t.config.form;
  const edit: Edit = (fn) => props.onChange(updateModel(props.model, fn));
  const hc = props.model.healthCheck;
  return (
    <form className="model-form" onSubmit={(e) => e.preventDefault()} data-testid="model-form">
      {props.model.vrrp.instances.map((vi, i) => (
        <Instance key={vi.name} vi={vi} index={i} edit={edit} readOnly={props.readOnly} />
      ))}
      <fieldset>
        <legend>{hc ? f.check(hc.name) : f.noCheck}</legend>
        {hc && (
          <div className="field-grid">
            {(['interval', 'fall', 'rise', 'weight'] as const).map((k) => (
              <ParsedField
                key={k}
                label={f[k]}
                testId={`form-check-${k}`}
                value={hc[k]}
                format={str}
                parse={intOf}
                readOnly={props.readOnly}
                invalidText={f.invalidField}
                onCommit={(v) =>
                  edit((m) => {
                    if (m.healthCheck) m.healthCheck[k] = v;
                  })
                }
              />
            ))}
          </div>
        )}
      </fieldset>
      {props.model.nginx?.upstreams.map((u, ui) => (
        <fieldset key={u.name}>
          <legend>{f.upstream(u.name)}</legend>
          <p className="field-label">{f.backends}</p>
          <ul className="field-list">
            {u.servers.map((s, si) => (
              <li key={`${si}-${s.host}:${s.port}`}>
                <ParsedField
                  label={`${f.backends} ${si + 1}`}
                  testId={`form-backend-${ui}-${si}`}
                  value={{ host: s.host, port: s.port }}
                  format={(b) => `${b.host}:${b.port}`}
                  parse={parseBackend}
                  readOnly={props.readOnly}
                  invalidText={f.invalidField}
                  width="wide"
                  onCommit={(b) =>
                    edit((m) => {
                      const srv = m.nginx?.upstreams[ui]?.servers[si];
                      if (srv) Object.assign(srv, b);
                    })
                  }
                  trailing={
                    !props.readOnly &&
                    u.servers.length > 1 && (
                      <button
                        type="button"
                        className="ghost icon-button"
                        aria-label={f.removeBackend(`${s.host}:${s.port}`)}
                        onClick={() => edit((m) => m.nginx?.upstreams[ui]?.servers.splice(si, 1))}
                      >
                        ×
                      </button>
                    )
                  }
                />
              </li>
            ))}
          </ul>
          {!props.readOnly && (
            <AddField
              label={f.addBackend}
              placeholder="10.0.0.23:8080"
              parse={parseBackend}
              invalidText={f.invalidField}
              testId={`form-add-backend-${ui}`}
              onAdd={(b) =>
                edit((m) => {
                  const up = m.nginx?.upstreams[ui];
                  const like = up?.servers[0];
                  up?.servers.push({
                    ...b,
                    ...(like?.maxFails !== undefined && { maxFails: like.maxFails }),
                    ...(like?.failTimeout !== undefined && { failTimeout: like.failTimeout }),
                  });
                })
              }
            />
          )}
        </fieldset>
      ))}
    </form>
  );
}

function Instance(props: { vi: VrrpInstanceModel; index: number; edit: Edit; readOnly: boolean }) {
  const { t } = useI18n();
  const f = t.config.form;
  const { vi, index: i, edit, readOnly } = props;
  const inst = (m: ClusterModel): VrrpInstanceModel | undefined => m.vrrp.instances[i];
  return (
    <fieldset data-testid={`form-instance-${vi.name}`}>
      <legend>{f.instance(vi.name, vi.vrid)}</legend>
      <p className="field-label">{f.vips}</p>
      <ul className="field-list">
        {vi.vips.map((vip, vIdx) => (
          <li key={`${vIdx}-${vip.address}`}>
            <ParsedField
              label={`${f.vips} ${vIdx + 1}`}
              testId={`form-vip-${i}-${vIdx}`}
              value={{ address: vip.address, prefix: vip.prefix }}
              format={vipText}
              parse={parseVip}
              readOnly={readOnly}
              invalidText={f.invalidField}
              width="wide"
              onCommit={(v) =>
                edit((m) => {
                  const target = inst(m)?.vips[vIdx];
                  if (target) Object.assign(target, v);
                })
              }
              trailing={
                !readOnly &&
                vi.vips.length > 1 && (
                  <button
                    type="button"
                    className="ghost icon-button"
                    aria-label={f.removeVip(vipText(vip))}
                    onClick={() => edit((m) => inst(m)?.vips.splice(vIdx, 1))}
                  >
                    ×
                  </button>
                )
              }
            />
          </li>
        ))}
      </ul>
      {!readOnly && (
        <AddField
          label={f.addVip}
          placeholder="10.0.0.51/24"
          parse={parseVip}
          invalidText={f.invalidField}
          testId={`form-add-vip-${i}`}
          onAdd={(v) => edit((m) => inst(m)?.vips.push(v))}
        />
      )}
      <div className="field-grid">
        {vi.priorities.map((p, pIdx) => (
          <ParsedField
            key={p.host}
            label={f.priority(p.host)}
            testId={`form-priority-${vi.name}-${p.host}`}
            value={p.priority}
            format={str}
            parse={intOf}
            readOnly={readOnly}
            invalidText={f.invalidField}
            onCommit={(v) =>
              edit((m) => {
                const target = inst(m)?.priorities[pIdx];
                if (target) target.priority = v;
              })
            }
          />
        ))}
        <ParsedField
          label={f.advertInt}
          testId={`form-advert-${vi.name}`}
          value={vi.advertInt}
          format={str}
          parse={numberOf}
          readOnly={readOnly}
          invalidText={f.invalidField}
          onCommit={(v) =>
            edit((m) => {
              const target = inst(m);
              if (target) target.advertInt = v;
            })
          }
        />
      </div>
      <label className="check-field">
        <input
          type="checkbox"
          checked={vi.preempt}
          disabled={readOnly}
          data-testid={`form-preempt-${vi.name}`}
          onChange={(e) =>
            edit((m) => {
              const target = inst(m);
              if (target) target.preempt = e.target.checked;
            })
          }
        />
        {f.preempt}
      </label>
    </fieldset>
  );
}
