import type { AnalysisHost } from '../../server/src/analysis';

/**
 * A host that shows the disk with extra files laid over it (stand-ins for
 * files of a real repository that the corpus does not keep) and folders
 * mounted at other paths (a repository used as a submodule elsewhere).
 * Reads only: nothing is written anywhere.
 */
export function overlayHost(base: AnalysisHost, files: Record<string, string>, mounts: Record<string, string> = {}): AnalysisHost {
  const real = (p: string): string => {
    for (const [at, target] of Object.entries(mounts)) {
      if (p === at || p.startsWith(`${at}/`)) return target + p.slice(at.length);
    }
    return p;
  };
  return {
    readFile: (f) => (f in files ? files[f] : base.readFile(real(f))),
    listDir: (d) => {
      const names = new Set(base.listDir(real(d)) ?? []);
      const prefix = `${d}/`;
      for (const f of [...Object.keys(files), ...Object.keys(mounts)]) if (f.startsWith(prefix)) names.add(f.slice(prefix.length).split('/')[0]);
      return names.size > 0 || base.listDir(real(d)) ? [...names] : undefined;
    },
  };
}

