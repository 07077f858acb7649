// `npm run demo`: the main job against the bundled simulated org.
console.log(
  'nothing to demo yet: the simulated org is not built. `npx ce-connect config check` shows the desired state.'
);
