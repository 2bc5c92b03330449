import { shellEn, shellZhCN } from '../app/shell-i18n';
import { agentsEn, agentsZhCN } from '../features/agents/agents-i18n';
import { alertsEn, alertsZhCN } from '../features/alerts/alerts-i18n';
import { clusterEn, clusterZhCN } from '../features/cluster/cluster-i18n';
import { configEn } from '../features/config/config-i18n';
import { configZhCN } from '../features/config/config-i18n-zh';
import { drillsEn } from '../features/drills/drills-i18n';
import { drillsZhCN } from '../features/drills/drills-i18n-zh';
import { overviewEn, overviewZhCN } from '../features/overview/overview-i18n';
import { settingsEn, settingsZhCN } from '../features/settings/settings-i18n';
import { hostEn, hostZhCN } from '../features/host/host-i18n';
import { maintenanceEn, maintenanceZhCN } from '../features/maintenance/maintenance-i18n';
import { truthEn, truthZhCN } from '../features/truth/truth-i18n';
import { coreEn, coreZhCN } from './core-i18n';
import { findingsEn, findingsZhCN } from './findings-i18n';

export type { DurationUnits } from './core-i18n';

/*
 * All UI text, merged here from one dictionary per feature. `en` defines the shape; `zh-CN`
 * is typed as `Messages`, so TypeScript refuses a missing, extra or wrongly-shaped key, and
 * dictionary.test.ts checks the same at run time. A feature adds one import and one line
 * per language below (see apps/web/README.md).
 */

export const LANGS = ['zh-CN', 'en'] as const;
export type Lang = (typeof LANGS)[number];

const en = {
  ...coreEn,
  shell: shellEn,
  findings: findingsEn,
  alerts: alertsEn,
  agents: agentsEn,
  overview: overviewEn,
  cluster: clusterEn,
  config: configEn,
  settings: settingsEn,
  drills: drillsEn,
  host: hostEn,
  maintenance: maintenanceEn,
  truth: truthEn,
};

export type Messages = typeof en;

const zhCN: Messages = {
  ...coreZhCN,
  shell: shellZhCN,
  findings: findingsZhCN,
  alerts: alertsZhCN,
  agents: agentsZhCN,
  overview: overviewZhCN,
  cluster: clusterZhCN,
  config: configZhCN,
  settings: settingsZhCN,
  drills: drillsZhCN,
  host: hostZhCN,
  maintenance: maintenanceZhCN,
  truth: truthZhCN,
};

export const dictionaries: Record<Lang, Messages> = { en, 'zh-CN': zhCN };
