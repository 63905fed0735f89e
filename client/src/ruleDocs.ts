/**
 * A diagnostic's rule link in VS Code: a `command:` URI (the server builds it
 * when the client names this command in its initialization options) that
 * opens the rule's page shipped inside the extension, so it works offline and
 * shows the page of the installed version. Other editors get https links.
 */
import * as vscode from 'vscode';

export const RULE_DOCS_COMMAND = 'packerBake.showRuleDocs';

/**
 * Opens `dist/docs/rules/<ruleId>.md` in the Markdown preview (in a text
 * editor when the built-in Markdown extension is disabled). Resolves with the
 * page's URI, or undefined for an id that has no page.
 */
export async function showRuleDocs(extensionUri: vscode.Uri, ruleId: unknown): Promise<vscode.Uri | undefined> {
  // The id comes from a URI anyone can put in a link: only a plain rule id names a page.
  if (typeof ruleId !== 'string' || !/^[a-z][a-z0-9-]*$/.test(ruleId)) return undefined;
  const page = vscode.Uri.joinPath(extensionUri, 'dist', 'docs', 'rules', `${ruleId}.md`);
  try {
    await vscode.workspace.fs.stat(page);
  } catch {
    return undefined;
  }
  try {
    await vscode.commands.executeCommand('markdown.showPreview', page);
  } catch {
    await vscode.window.showTextDocument(page, { preview: true });
  }
  return page;
}
