/**
 * The 40 CelebA attribute names in the order of `list_attr_celeba.txt`'s header.
 * Datasets read their names from the file header; this list is for synthetic data and documentation.
 *
 * @example
 * import { CELEBA_ATTRIBUTE_NAMES } from "@celeba/data";
 * CELEBA_ATTRIBUTE_NAMES.length; // 40
 * CELEBA_ATTRIBUTE_NAMES.indexOf("Male"); // 20
 */
export const CELEBA_ATTRIBUTE_NAMES: readonly string[] = Object.freeze([
  "5_o_Clock_Shadow",
  "Arched_Eyebrows",
  "Attractive",
  "Bags_Under_Eyes",
  "Bald",
  "Bangs",
  "Big_Lips",
  "Big_Nose",
  "Black_Hair",
  "Blond_Hair",
  "Blurry",
  "Brown_Hair",
  "Bushy_Eyebrows",
  "Chubby",
  "Double_Chin",
  "Eyeglasses",
  "Goatee",
  "Gray_Hair",
  "Heavy_Makeup",
  "High_Cheekbones",
  "Male",
  "Mouth_Slightly_Open",
  "Mustache",
  "Narrow_Eyes",
  "No_Beard",
  "Oval_Face",
  "Pale_Skin",
  "Pointy_Nose",
  "Receding_Hairline",
  "Rosy_Cheeks",
  "Sideburns",
  "Smiling",
  "Straight_Hair",
  "Wavy_Hair",
  "Wearing_Earrings",
  "Wearing_Hat",
  "Wearing_Lipstick",
  "Wearing_Necklace",
  "Wearing_Necktie",
  "Young",
]);

/**
 * Positive rate of each CelebA attribute over the full 202,599 images, and the share of the positives
 * that are male (used to give synthetic data the real set's correlations with `Male`).
 *
 * @example
 * import { CELEBA_ATTRIBUTE_STATS } from "@celeba/data";
 * CELEBA_ATTRIBUTE_STATS.Bald.rate; // 0.0224
 * CELEBA_ATTRIBUTE_STATS.Goatee.maleShare; // 0.99
 */
export const CELEBA_ATTRIBUTE_STATS: Readonly<Record<string, { rate: number; maleShare: number }>> =
  Object.freeze({
    "5_o_Clock_Shadow": { rate: 0.1111, maleShare: 0.98 },
    Arched_Eyebrows: { rate: 0.267, maleShare: 0.07 },
    Attractive: { rate: 0.5125, maleShare: 0.23 },
    Bags_Under_Eyes: { rate: 0.2046, maleShare: 0.65 },
    Bald: { rate: 0.0224, maleShare: 0.97 },
    Bangs: { rate: 0.1516, maleShare: 0.2 },
    Big_Lips: { rate: 0.2408, maleShare: 0.3 },
    Big_Nose: { rate: 0.2345, maleShare: 0.7 },
    Black_Hair: { rate: 0.2393, maleShare: 0.5 },
    Blond_Hair: { rate: 0.148, maleShare: 0.06 },
    Blurry: { rate: 0.0509, maleShare: 0.5 },
    Brown_Hair: { rate: 0.2052, maleShare: 0.28 },
    Bushy_Eyebrows: { rate: 0.1422, maleShare: 0.7 },
    Chubby: { rate: 0.0576, maleShare: 0.85 },
    Double_Chin: { rate: 0.0467, maleShare: 0.8 },
    Eyeglasses: { rate: 0.0651, maleShare: 0.75 },
    Goatee: { rate: 0.0628, maleShare: 0.99 },
    Gray_Hair: { rate: 0.0419, maleShare: 0.8 },
    Heavy_Makeup: { rate: 0.3869, maleShare: 0.01 },
    High_Cheekbones: { rate: 0.455, maleShare: 0.3 },
    Male: { rate: 0.4168, maleShare: 1 },
    Mouth_Slightly_Open: { rate: 0.4834, maleShare: 0.38 },
    Mustache: { rate: 0.0415, maleShare: 0.99 },
    Narrow_Eyes: { rate: 0.115, maleShare: 0.45 },
    No_Beard: { rate: 0.8349, maleShare: 0.3 },
    Oval_Face: { rate: 0.2842, maleShare: 0.3 },
    Pale_Skin: { rate: 0.0429, maleShare: 0.25 },
    Pointy_Nose: { rate: 0.2774, maleShare: 0.25 },
    Receding_Hairline: { rate: 0.0798, maleShare: 0.6 },
    Rosy_Cheeks: { rate: 0.0657, maleShare: 0.05 },
    Sideburns: { rate: 0.0565, maleShare: 0.99 },
    Smiling: { rate: 0.4821, maleShare: 0.38 },
    Straight_Hair: { rate: 0.2084, maleShare: 0.45 },
    Wavy_Hair: { rate: 0.3196, maleShare: 0.15 },
    Wearing_Earrings: { rate: 0.1889, maleShare: 0.03 },
    Wearing_Hat: { rate: 0.0485, maleShare: 0.55 },
    Wearing_Lipstick: { rate: 0.4724, maleShare: 0.01 },
    Wearing_Necklace: { rate: 0.123, maleShare: 0.03 },
    Wearing_Necktie: { rate: 0.0727, maleShare: 0.98 },
    Young: { rate: 0.7736, maleShare: 0.35 },
  });
