"""The two groups of users and what each may do (spec.md, "Users and permissions")."""

STAFF_PERMISSIONS = [
    "catalog.view_product",
    "inventory.view_outlet",
    "inventory.view_stocklevel",
    "inventory.view_serialrecord",
    # Adding serials covers both the Add form and Import CSV.
    "inventory.add_serialrecord",
    "inventory.view_serialevent",
    # Selling (sales issue): sell, find sales and customers, add and edit customers.
    "sales.view_sale",
    "sales.add_sale",
    "sales.view_customer",
    "sales.add_customer",
    "sales.change_customer",
    # Returns and warranty claims (issue 9): record returns, open and update claims.
    "sales.view_return",
    "sales.add_return",
    "sales.view_warrantyclaim",
    "sales.add_warrantyclaim",
    "sales.change_warrantyclaim",
    # Reports (issue 10): see the Serial coverage report.
    "reports.view_coverage",
    # Stock control (issue 20): see suppliers and stock orders, receive, see stock history.
    "catalog.view_supplier",
    "inventory.view_stockorder",
    "inventory.receive_stockorder",
    "inventory.view_stockmove",
    # Stock control II (issue 21): send and receive transfers, see supplier returns,
    # start inventory counts and scan into them.
    "inventory.view_transfer",
    "inventory.add_transfer",
    "inventory.receive_transfer",
    "inventory.view_supplierreturn",
    "inventory.view_inventorycount",
    "inventory.add_inventorycount",
    "inventory.count_inventorycount",
]

MANAGER_PERMISSIONS = [
    *STAFF_PERMISSIONS,
    "catalog.add_product",
    "catalog.change_product",
    "inventory.add_outlet",
    "inventory.change_outlet",
    "inventory.add_stocklevel",
    "inventory.change_stocklevel",
    "inventory.change_serialrecord",
    "inventory.delete_serialrecord",
    "inventory.transfer_serialrecord",
    "inventory.writeoff_serialrecord",
    "inventory.faulty_serialrecord",
    # Close a transfer short: what never arrived is written off (issue 21).
    "inventory.close_transfer",
    # "Add anyway": record serials that break their product's Serial number format.
    "inventory.override_format_serialrecord",
    # See everyone's background jobs (each user sees their own), and their files.
    "inventory.view_serialjob",
    # Change the High-value threshold (each change is a new, logged row).
    "reports.add_highvaluethreshold",
    # API tokens for integration users (tills, web shops, scripts).
    "api.view_apitoken",
    "api.add_apitoken",
    "api.delete_apitoken",
    # Stock control (issue 20): keep suppliers, order stock (Order stock, Edit, Mark as
    # sent, Cancel order).
    "catalog.add_supplier",
    "catalog.change_supplier",
    "inventory.add_stockorder",
    "inventory.change_stockorder",
    # Stock control II (issue 21): send supplier returns and record their outcomes,
    # apply or cancel inventory counts.
    "inventory.add_supplierreturn",
    "inventory.change_supplierreturn",
    "inventory.apply_inventorycount",
    "inventory.change_inventorycount",
]

GROUPS = {"Staff": STAFF_PERMISSIONS, "Managers": MANAGER_PERMISSIONS}
