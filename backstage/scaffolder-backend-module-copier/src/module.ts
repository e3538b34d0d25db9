import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createCopierCopyAction } from './actions/copy';
import { createCopierUpdateAction } from './actions/update';

/** The scaffolder actions `copier:copy` and `copier:update` (settings: app-config `scaffolder.copier`). */
export const scaffolderModuleCopier = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'copier',
  register({ registerInit }) {
    registerInit({
      deps: { scaffolder: scaffolderActionsExtensionPoint, config: coreServices.rootConfig },
      async init({ scaffolder, config }) {
        scaffolder.addActions(createCopierCopyAction({ config }), createCopierUpdateAction({ config }));
      },
    });
  },
});
