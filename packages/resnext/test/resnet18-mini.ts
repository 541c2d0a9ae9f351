import { ARCHITECTURES, type ResNetSpec } from "../src/model/architectures";

/**
 * The reduced-width resnet18 of scripts/make-model-fixtures.py (`resnet18_mini`): BasicBlock
 * [2, 2, 2, 2], an 8-channel stem and planes [4, 8, 16, 32].
 */
export const RESNET18_MINI: ResNetSpec = {
  ...ARCHITECTURES.resnet18,
  stemWidth: 8,
  planes: [4, 8, 16, 32],
};
