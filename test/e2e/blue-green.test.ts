import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { ConstantLoad } from '../../src/demo/constant-load.js';
import { freePort } from '../../src/demo/free-port.js';
import { helloVersion } from '../../src/demo/hello-version.js';
import { deployHello, startDeploy, waitForFinal } from '../support/deploy.js';
import { FerryServer } from '../support/ferry-server.js';
import { helloConfig } from '../../src/demo/hello-config.js';
import { act, shareOver, waitForPhase } from '../support/rollout.js';

describe('blue-green under load', () => {
  let server: FerryServer | undefined;
  let load: ConstantLoad | undefined;
  afterEach(async () => {
    await load?.stop();
    await server?.destroy();
    server = load = undefined;
  });

  it('previews the new set, then switches all traffic at once with zero failed requests', async () => {
    const [routePort, previewPort] = [await freePort(), await freePort()];
    server = await FerryServer.create(
      helloConfig({
        routePort,
        replicas: 2,
        strategy: `      blueGreen:
        previewRoutes: { prod: 127.0.0.1:${previewPort} }
        scaleDownDelay: 2s
`,
      }),
    );
    await server.start();
    await deployHello(server, { version: 'v1' });
    load = new ConstantLoad(`http://127.0.0.1:${routePort}/`, 250).start();
    const v2 = await startDeploy(server, 'hello', 'prod', 'v2', helloVersion({ version: 'v2' }));

    const paused = await waitForPhase(server, 'Paused');
    expect(paused.traffic).toMatchObject({ active: 'stable', preview: true });
    const preview = await request(`http://127.0.0.1:${previewPort}/`);
    expect(preview.headers['x-version']).toBe('v2');
    await preview.body.dump();
    const before = await shareOver(load, 'v2', 8_500);
    expect(before.total).toBeGreaterThanOrEqual(2000);
    expect(before.share).toBe(0);

    await act(server, 'promote');
    await waitForPhase(server, 'Progressing');
    const afterSwitch = await shareOver(load, 'v2', 8_500);
    expect(afterSwitch.total).toBeGreaterThanOrEqual(2000);
    expect(afterSwitch.share).toBeGreaterThan(0.97);
    expect((await waitForFinal(server, v2.id)).phase).toBe('Succeeded');
    const settled = await shareOver(load, 'v2', 1000);
    expect(settled.share).toBe(1);

    const result = await load.stop();
    load = undefined;
    expect(result.errors).toEqual([]);
    expect(result.non2xx).toBe(0);
    // The old set is gone after scaleDownDelay, and so is the preview route.
    expect(server.instancePids()).toHaveLength(2);
    await expect(request(`http://127.0.0.1:${previewPort}/`)).rejects.toThrow();
  });
});
