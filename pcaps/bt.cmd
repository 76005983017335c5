bt
