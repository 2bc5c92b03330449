import { useCallback, useEffect, useState } from 'react';

/** Loads once (and on reload()), keeping the last value, the error and a loading flag. */
export function useLoad<T>(load: () => Promise<T>): {
  value: T | null;
  error: string | null;
  reload: () => void;
} {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    load().then(
      (v) => {
        setValue(v);
        setError(null);
      },
      (err: unknown) => setError((err as Error).message),
    );
  }, [load]);
  useEffect(() => reload(), [reload]);
  return { value, error, reload };
}
