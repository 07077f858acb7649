// Lets pending promise callbacks and the re-render they cause run before a test looks at the DOM. A macrotask
// is used because wire handlers may start promises of their own (NavigationMixin.GenerateUrl).
export function flushPromises() {
  return new Promise((resolve) => {
    setTimeout(resolve, 0);
  });
}
