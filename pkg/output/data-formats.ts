// The data formats of `-o` (data.ts writes them), apart from their writer so that a command's
// flags can name them without loading js-yaml.

export const dataFormats = ["json", "yaml"] as const;
export type DataFormat = (typeof dataFormats)[number];
