// The floor's one activity: POST one message to the provider stand-in (the same stand-in our sends
// reach), with a timeout like every outbound call of ours. A 429 or 5xx fails the attempt, so
// Temporal retries it as it would one of our sends. `sendUrl` holds `{n}`, replaced by one of
// `numbers` sending numbers (workflow i uses number i mod numbers).
export function createFloorActivities(sendUrl: string, numbers: number) {
  return {
    async postToProvider(index: number): Promise<void> {
      const response = await fetch(sendUrl.replace('{n}', String(index % numbers)), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ number: `+floor${index}`, message: 'floor' }),
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`provider answered ${response.status}`);
    },
  };
}

export type FloorActivities = ReturnType<typeof createFloorActivities>;
