import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { scaffolderActionsExtensionPoint, type TemplateAction } from '@backstage/plugin-scaffolder-node';
import scaffolderModuleCopier from '.';

describe('scaffolderModuleCopier', () => {
  it('adds copier:copy and copier:update to the scaffolder, configured from app-config', async () => {
    const addActions = jest.fn<void, TemplateAction<any, any, any>[]>();
    const backend = await startTestBackend({
      extensionPoints: [[scaffolderActionsExtensionPoint, { addActions }]],
      features: [
        scaffolderModuleCopier,
        mockServices.rootConfig.factory({
          data: { scaffolder: { copier: { allowedTemplates: ['https://github.com/reasonkit/copier-reasonkit-rust'] } } },
        }),
      ],
    });
    try {
      expect(addActions.mock.calls.flat().map(action => action.id)).toEqual(['copier:copy', 'copier:update']);
    } finally {
      await backend.stop();
    }
  });

  it('refuses to start without an allow-list', async () => {
    await expect(
      startTestBackend({
        extensionPoints: [[scaffolderActionsExtensionPoint, { addActions: jest.fn() }]],
        features: [scaffolderModuleCopier, mockServices.rootConfig.factory({ data: {} })],
      }),
    ).rejects.toThrow("Missing required config value at 'scaffolder.copier.allowedTemplates'");
  });
});
