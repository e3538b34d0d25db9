/**
 * Backstage backend module for the copier-reasonkit-rust template: the scaffolder actions
 * `copier:copy` and `copier:update`, and a Tech Insights fact retriever for the crates' lag.
 *
 * @packageDocumentation
 */
export { scaffolderModuleCopier as default } from './module';
export { createCopierCopyAction } from './actions/copy';
export { createCopierUpdateAction } from './actions/update';
export * from './techInsights';
