// The packerBake.bake.* settings: defaults merged per key, every value checked,
// and the numbers clamped where Node's timers would overflow.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  checkBakeSettings, containerMode, defaultBakeSettings, MAX_STOP_TIMEOUT_SECONDS, normalizeBakeSettings,
} from '../../client/src/bake/settings';
import { MAX_TIMER_MS, timerMs } from '../../client/src/bake/processes';

const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, { type: string | string[]; default?: unknown; minimum?: number; maximum?: number; scope?: string; enum?: string[] }> } };
};
const schema = manifest.contributes.configuration.properties;

describe('bake settings', () => {
  it('normalizes settings per key, falling back to defaults and saying why', () => {
    assert.deepStrictEqual(checkBakeSettings({}), { settings: { ...defaultBakeSettings, extraEngineArgs: [] }, problems: [] });
    assert.deepStrictEqual(checkBakeSettings({
      containerEngine: 'podman', enginePath: ' /opt/podman ', tmpMount: 'weird', injectControlPath: 'no',
      extraEngineArgs: ['--network', 3], stopTimeoutSeconds: 12.7, image: 'x:1', container: 'devcontainer', pluginVolume: 'bad name!',
    }), {
      settings: {
        container: 'devcontainer', containerEngine: 'podman', enginePath: '/opt/podman', image: 'x:1', tmpMount: 'tmpfs', injectControlPath: true,
        extraEngineArgs: [], stopTimeoutSeconds: 12, pluginVolume: 'packer-bake-plugins', devcontainerPath: '',
      },
      problems: [
        'packerBake.bake.injectControlPath must be true or false, not "no"; using true.',
        'packerBake.bake.extraEngineArgs must be a list of strings; using [].',
        'packerBake.bake.pluginVolume is not a volume name (letters, digits, "_", "." and "-"); using "packer-bake-plugins".',
        'packerBake.bake.tmpMount must be one of tmpfs, bind, not "weird"; using "tmpfs".',
      ],
    });
  });

  it('clamps stopTimeoutSeconds to an hour: a workspace value past Node\'s 32-bit timers no longer kills Packer after 1 ms', () => {
    // 2,147,483.648 s is where setTimeout overflows; a workspace (resource scope) can set the value.
    for (const huge of [2_147_484, 99_999_999, Number.MAX_SAFE_INTEGER]) {
      const { settings, problems } = checkBakeSettings({ stopTimeoutSeconds: huge });
      assert.equal(settings.stopTimeoutSeconds, MAX_STOP_TIMEOUT_SECONDS);
      assert.deepStrictEqual(problems, [`packerBake.bake.stopTimeoutSeconds is above the maximum of 3600 seconds; using ${MAX_STOP_TIMEOUT_SECONDS}.`]);
      // Every timer derived from it stays a real delay.
      assert.ok((settings.stopTimeoutSeconds + 60) * 1000 <= MAX_TIMER_MS);
    }
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, '30']) {
      assert.equal(normalizeBakeSettings({ stopTimeoutSeconds: bad }).stopTimeoutSeconds, defaultBakeSettings.stopTimeoutSeconds, String(bad));
    }
    assert.equal(timerMs(1e12), MAX_TIMER_MS);
    assert.equal(timerMs(-5), 0);
  });

  it('declares every numeric bake setting with a minimum and the same maximum as the code', () => {
    const numeric = Object.entries(schema).filter(([k, v]) => k.startsWith('packerBake.bake.') && ['integer', 'number'].includes(String(v.type)));
    assert.deepStrictEqual(numeric.map(([k, v]) => [k, v.minimum, v.maximum]), [['packerBake.bake.stopTimeoutSeconds', 0, MAX_STOP_TIMEOUT_SECONDS]]);
  });

  it('declares every setting the code reads, with the code\'s default, and machine scope for what runs a program or image', () => {
    const declared = Object.keys(schema).filter((k) => k.startsWith('packerBake.bake.')).sort();
    assert.deepStrictEqual(declared, Object.keys(defaultBakeSettings).map((k) => `packerBake.bake.${k}`).sort());
    for (const [k, v] of Object.entries(defaultBakeSettings)) assert.deepStrictEqual(schema[`packerBake.bake.${k}`].default, v, k);
    const machine = declared.filter((k) => schema[k].scope === 'machine');
    assert.deepStrictEqual(machine, ['packerBake.bake.devcontainerPath', 'packerBake.bake.enginePath', 'packerBake.bake.extraEngineArgs',
      'packerBake.bake.image', 'packerBake.bake.pluginVolume']);
  });

  it('decides the container: the configured image when one is set, else the bundled one', () => {
    assert.equal(containerMode({ container: 'auto', image: '' }), 'bundled');
    assert.equal(containerMode({ container: 'auto', image: 'my/packer:1' }), 'image');
    assert.equal(containerMode({ container: 'bundled', image: 'my/packer:1' }), 'bundled');
    assert.equal(containerMode({ container: 'devcontainer', image: '' }), 'devcontainer');
  });
});
