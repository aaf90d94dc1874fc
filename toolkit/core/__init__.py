"""Cross-cutting helpers every stage may use: text cleaning, numbers and dates, files, errors, workers."""
