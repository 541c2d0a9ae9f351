const command = process.argv[2] ?? "demo";
if (command === "demo") {
  console.log(
    "celeba reference: the demo will make a synthetic CelebA, train resnext_tiny with the seed's procedure " +
      "(MSE on ±1 labels, Adamax, first 6 children frozen), validate every checkpoint, test the best one and " +
      "write runs/demo. It lands with the apps/reference issue; nothing was run.",
  );
} else {
  console.error(`celeba reference: unknown command "${command}". It is not implemented yet; try "demo".`);
  process.exitCode = 2;
}
