/**
 * What the bake's VS Code side asks of the workspace and the language server:
 * the configurations to bake, and the settings a failure points to.
 */
import * as vscode from 'vscode';
import type { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import { ListTemplatesRequest } from '../../../server/src/shared/protocol';
import type { FailureKind } from './backend';
import { groupConfigurations, type BakeConfiguration, type TemplateFile } from './configurations';

/** The part of the language client the bake uses. */
export interface BakeClient {
  sendRequest<P, R, E>(type: RequestType<P, R, E>, params: P): Promise<R>;
  /** Tells the server the bake image's tool versions (the toolchain rules use them). */
  sendNotification?<P>(type: NotificationType<P>, params?: P): Promise<void>;
}

/** The workspace's configurations on disk (legacy JSON templates, HCL2 folders), from the server's templates. */
export async function listConfigurations(client: BakeClient): Promise<BakeConfiguration[]> {
  const templates = await client.sendRequest(ListTemplatesRequest.type, {});
  const files: TemplateFile[] = [];
  for (const t of templates) {
    const uri = vscode.Uri.parse(t.uri);
    if (uri.scheme === 'file') files.push({ ...t, file: uri.fsPath });
  }
  return groupConfigurations(files);
}

/** The setting a failure of this kind is about, if one is. */
export function settingFor(kind: FailureKind | undefined): string | undefined {
  switch (kind) {
    case 'image':
    case 'packer-too-old':
      return 'packerBake.bake.image';
    case 'engine':
      return 'packerBake.bake.enginePath';
    case 'devcontainer':
      return 'packerBake.bake.devcontainerPath';
    default:
      return undefined;
  }
}

/** Machine-scoped settings: in a remote window they live in the remote's settings, not the user's. */
const MACHINE_SETTINGS = new Set(['packerBake.bake.image', 'packerBake.bake.enginePath', 'packerBake.bake.extraEngineArgs',
  'packerBake.bake.pluginVolume', 'packerBake.bake.devcontainerPath']);

/**
 * Where a setting is edited. A machine setting in a remote window (SSH, WSL,
 * a dev container, a browser window on a server) is read from that machine:
 * the Settings editor's Remote tab. A value under User is ignored there.
 */
export function settingScope(setting: string, remoteName: string | undefined): { remote: boolean; hint: string } {
  const remote = remoteName !== undefined && remoteName !== '' && MACHINE_SETTINGS.has(setting);
  return {
    remote,
    hint: remote
      ? `${setting} is a machine setting: in this remote window (${remoteName}) set it under the Remote tab of the Settings editor; a value under User does not apply here.`
      : '',
  };
}

/** Opens the Settings editor on a setting, in the scope it must be set in. */
export async function openSetting(setting: string): Promise<void> {
  const { remote } = settingScope(setting, vscode.env.remoteName);
  await vscode.commands.executeCommand(remote ? 'workbench.action.openRemoteSettings' : 'workbench.action.openSettings', remote ? { query: setting } : setting);
}
