/**
 * The harness extension for the code-server runner. VS Code's server ignores
 * --extensionTestsPath, so the suite starts from this extension's activate()
 * (onStartupFinished), with the run's settings in config.json beside it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type * as vscode from 'vscode';
import { runSuite, type SuiteConfig } from './runSuite';

export function activate(context: vscode.ExtensionContext): void {
  const config = JSON.parse(fs.readFileSync(path.join(context.extensionPath, 'config.json'), 'utf8')) as SuiteConfig;
  // Not awaited: activation must return so the workbench finishes starting.
  void runSuite(config);
}

export function deactivate(): void {}
