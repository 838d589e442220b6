import { Box, Text } from "@saleor/macaw-ui";

/** The header row of the pages' tables: one style for every list. */
export function TableHead({ columns }: { columns: string[] }) {
  return (
    <Box as="thead">
      <Box as="tr">
        {columns.map((h) => (
          <Box as="th" key={h} textAlign="left" paddingY={2} paddingRight={3} borderBottomWidth={1} borderBottomStyle="solid" borderColor="default1">
            <Text size={2} color="default2" fontWeight="medium">
              {h}
            </Text>
          </Box>
        ))}
      </Box>
    </Box>
  );
}
