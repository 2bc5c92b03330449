import { lazy, Suspense } from 'react';
import { Loading } from '../../app/page-states';
import type { DrillChartProps } from './drill-chart';

/* uPlot and the chart load on first use, in their own chunk (the initial JS stays small). */
const DrillChart = lazy(() => import('./drill-chart'));

export function LazyDrillChart(props: DrillChartProps) {
  return (
    <Suspense fallback={<Loading />}>
      <DrillChart {...props} />
    </Suspense>
  );
}
