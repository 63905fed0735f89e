/** GitHub's own workflow parser and schema (@actions/workflow-parser), for tests of generated workflows. */
type WorkflowParser = typeof import('@actions/workflow-parser');
let loaded: Promise<WorkflowParser> | undefined;

function load(): Promise<WorkflowParser> {
  // ESM that imports its schema JSON without an import attribute: load it through tsx's loader, which allows that.
  const api: string = 'tsx/esm/api'; // resolved at run time (the type checker's module resolution does not read "exports")
  loaded ??= (import(api) as Promise<{ tsImport: (specifier: string, parent: string) => Promise<unknown> }>)
    .then(({ tsImport }) => tsImport('@actions/workflow-parser', __filename) as Promise<WorkflowParser>);
  return loaded;
}

/** The errors GitHub's parser and schema report for a workflow file's text (none: it is valid). */
export async function workflowErrors(content: string, name = 'workflow.yml'): Promise<string[]> {
  const { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } = await load();
  const r = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  const errors = r.context.errors.getErrors().map((e) => e.message);
  if (r.value) {
    const t = await convertWorkflowTemplate(r.context, r.value);
    for (const e of t.errors ?? []) if (!errors.includes(e.Message)) errors.push(e.Message);
  }
  return errors;
}
