import type { Rng } from "@celeba/augment";
import { CELEBA_ATTRIBUTE_STATS } from "./celeba-attributes";

/**
 * Draws one image's labels (±1 per name) following CelebA's positive rates and their correlation
 * with `Male`; names without known stats get a 30% rate.
 */
export function sampleLabels(names: readonly string[], rng: Rng, out: Int8Array): void {
  const pMale = CELEBA_ATTRIBUTE_STATS.Male?.rate ?? 0.4168;
  const male = rng.next() < pMale;
  const conditional = (name: string): number => {
    const stats = CELEBA_ATTRIBUTE_STATS[name];
    if (name === "Male") return male ? 1 : 0;
    if (stats === undefined) return 0.3;
    return male
      ? (stats.rate * stats.maleShare) / pMale
      : (stats.rate * (1 - stats.maleShare)) / (1 - pMale);
  };
  const at = (name: string): number => names.indexOf(name);
  const beard = ["Goatee", "Mustache"].filter((name) => at(name) >= 0);
  names.forEach((name, j) => {
    if (name === "No_Beard") return;
    out[j] = rng.next() < Math.min(1, conditional(name)) ? 1 : -1;
  });
  const noBeard = at("No_Beard");
  if (noBeard >= 0) {
    // A goatee or moustache is a beard (No_Beard = -1); the others get a higher rate so the overall
    // No_Beard rate stays CelebA's.
    const pBeardless = beard.reduce((q, name) => q * (1 - Math.min(1, conditional(name))), 1);
    const hasBeard = beard.some((name) => out[at(name)] === 1);
    const p = Math.min(1, conditional("No_Beard") / Math.max(pBeardless, 1e-9));
    out[noBeard] = !hasBeard && rng.next() < p ? 1 : -1;
  }
  // Hair colours are (almost) exclusive in CelebA; keep one at random.
  const hair = ["Black_Hair", "Blond_Hair", "Brown_Hair", "Gray_Hair"]
    .map(at)
    .filter((j) => j >= 0 && out[j] === 1);
  if (hair.length > 1) {
    const keep = hair[rng.nextInt(hair.length)];
    for (const j of hair) if (j !== keep) out[j] = -1;
  }
  const bald = at("Bald");
  if (bald >= 0 && out[bald] === 1)
    for (const name of ["Bangs", "Wavy_Hair", "Straight_Hair"])
      if (at(name) >= 0) out[at(name)] = -1;
}
