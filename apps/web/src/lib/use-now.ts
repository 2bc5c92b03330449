import { useEffect, useState } from 'react';

/**
 * Local clock ticking every `intervalMs`, for "MASTER for 3m 12s". Pure UI time: nothing
 * is fetched on the tick.
 */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return now;
}
