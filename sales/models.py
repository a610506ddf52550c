# Customers, sales, returns and warranty claims arrive with the sales issues.
