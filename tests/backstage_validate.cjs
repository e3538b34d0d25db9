// Validate Backstage catalog entities with Backstage's own code: the catalog's entity policies
// (what the catalog backend enforces on ingestion) and the kind's validator. Reads a JSON array
// of entities on stdin; prints one line per entity; exits 1 when any is invalid.
// Used by tests/test_catalog.py with @backstage/catalog-model and
// @backstage/plugin-scaffolder-common from the Backstage module's locked install.
const {
  EntityPolicies, DefaultNamespaceEntityPolicy, FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy, SchemaValidEntityPolicy, componentEntityV1alpha1Validator,
} = require('@backstage/catalog-model');
const { templateEntityV1beta3Validator } = require('@backstage/plugin-scaffolder-common');

const policy = EntityPolicies.allOf([
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(),
  new SchemaValidEntityPolicy(),
]);
const kindValidators = [componentEntityV1alpha1Validator, templateEntityV1beta3Validator];

async function validate(entity) {
  const enforced = await policy.enforce(entity);
  for (const validator of kindValidators) {
    if (await validator.check(enforced)) return `${enforced.kind}:${enforced.metadata.namespace}/${enforced.metadata.name}`;
  }
  throw new Error(`no validator for apiVersion ${entity.apiVersion}, kind ${entity.kind}`);
}

let input = '';
process.stdin.on('data', chunk => { input += chunk; });
process.stdin.on('end', async () => {
  let failed = false;
  for (const entity of JSON.parse(input)) {
    try {
      console.log(`ok ${await validate(entity)}`);
    } catch (error) {
      failed = true;
      console.log(`invalid ${entity?.metadata?.name}: ${error.message}`);
    }
  }
  process.exit(failed ? 1 : 0);
});
