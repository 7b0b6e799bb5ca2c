"""orderdesk: order confirmation and delivery follow-up for e-commerce contact centers."""
