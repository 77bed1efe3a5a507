"""Pure presentation: theme, number formatting, figure builders and chart cards."""
