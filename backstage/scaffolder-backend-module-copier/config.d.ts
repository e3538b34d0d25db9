export interface Config {
  scaffolder?: {
    /** The copier:copy and copier:update actions. */
    copier: {
      /**
       * Template repository URLs the actions may run. copier runs templates with --trust (their
       * Jinja extensions, tasks and migrations run in the backend), so list only templates you trust.
       */
      allowedTemplates: string[];
      /** The Python copier is installed in (default python3); copier runs as `<python> -m copier`. */
      python?: string;
    };
  };
  techInsights?: {
    copier?: {
      /** Templates whose crates get the copierTemplateFactRetriever's facts. */
      templates?: Array<{
        /** The Template entity, as the crates' backstage.io/source-template annotation names it. */
        entityRef: string;
        /** The template's git URL, whose X.Y.Z tags are its releases. */
        url: string;
      }>;
    };
  };
}
