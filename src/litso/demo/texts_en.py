"""English sentences for the demo company (see texts.py for how they are combined)."""

from __future__ import annotations

from litso.demo.texts import Language, Topic

TOPICS = {
    "print_order": Topic(
        subjects=(
            "Order for {metres} m of printed {fabric}",
            "Question about my print order {order}",
            "Can you print my pattern on {fabric}?",
        ),
        problems=(
            "I would like to order {metres} metres of {fabric} printed with my own pattern. "
            "The design is a repeating tile of lemons, about 30 cm wide.",
            "I placed order {order} yesterday for {metres} m of {fabric}, but I forgot to "
            "choose the width. Could you make it {width} cm wide?",
            "Before I order: can you print a full-width panel on {fabric}, or only repeats? "
            "I need {metres} m for curtains.",
        ),
        details=(
            "I need the fabric by the end of next week, it is for a craft fair.",
            "It would be great if the colours stayed bright after washing at 40°C.",
            "If {fabric} does not work for this, please suggest something similar.",
        ),
        info=(
            "The pattern file is now attached in the shop, same order number {order}. "
            "Width {width} cm is fine.",
            "Yes, please go ahead with {fabric}, {metres} m, and keep the scale at 100%.",
        ),
        asks=(
            "Could you tell me the width you need ({width} cm or 280 cm) and whether the "
            "pattern should be mirrored at the seams?",
            "To prepare the print I need your design at 150 dpi at the final size. Could you "
            "upload it to order {order}?",
        ),
        answers=(
            "Your order {order} is confirmed: {metres} m of {fabric}, {width} cm wide. It goes "
            "to print tomorrow and should ship within {days} working days.",
            "Yes, we can print a full-width panel on {fabric}. I have added it to order {order} "
            "with no extra set-up fee.",
        ),
        notes=(
            "Checked the file: repeat is seamless, 150 dpi at 100%. OK for print.",
            "Customer ordered {fabric} twice before, no complaints. Priority slot in production.",
        ),
    ),
    "quote": Topic(
        subjects=(
            "Quote for {metres} m of printed {fabric}",
            "Wholesale prices for printed fabric",
            "Price for a recurring monthly order",
        ),
        problems=(
            "We are a small sewing studio and would like a quote for {metres} m of {fabric} "
            "every month, printed with 3 to 4 of our own designs.",
            "Could you send me your wholesale price list for printed {fabric} and {width} cm "
            "width? We are looking at around {metres} m per order.",
            "We need {metres} m of printed fabric for a theatre production. What would that "
            "cost and how long would it take?",
        ),
        details=(
            "We would also need a sample swatch of each design first.",
            "Delivery would be to {city}, ideally with your own courier.",
        ),
        info=(
            "Thanks. The designs are ready; we would start with {metres} m and go up next "
            "month if the quality is right.",
            "The budget is tight, is there any discount if we pay in advance?",
        ),
        asks=(
            "Could you tell me how many different designs and how many metres of each you "
            "expect per month? The price depends mostly on the number of set-ups.",
            "Which fabric weight do you have in mind? For upholstery we recommend canvas "
            "rather than {fabric}.",
        ),
        answers=(
            "For {metres} m of {fabric} per month the price is {amount} per order including "
            "delivery to {city}. The quote is valid for 30 days.",
            "I have set up a wholesale account for you with 12% off the list price. Sample "
            "swatches are free for wholesale customers.",
        ),
        notes=(
            "Potential wholesale customer, forward to Marek if they accept the quote.",
            "Quote sent: {amount}, standard wholesale discount, no special terms.",
        ),
    ),
    "invoice": Topic(
        subjects=(
            "VAT invoice for order {order}",
            "Invoice {invoice} has the wrong company name",
            "Need an invoice for my last order",
        ),
        problems=(
            "Could you send me a VAT invoice for order {order}? I did not tick the box when "
            "ordering.",
            "The invoice {invoice} for order {order} shows my private name instead of our "
            "company. Can you correct it?",
            "I cannot find the invoice for order {order} in my account. Our accountant needs "
            "it this week.",
        ),
        details=(
            "The company details are the same as on my previous order.",
            "Please send it as PDF to this address.",
        ),
        info=(
            "Company: Harbour Textiles Ltd, VAT number GB 293 4417 08, 12 Dock Street, Bristol.",
            "The address on the invoice is still the old one, we moved in March.",
        ),
        asks=(
            "Could you send me the full company name, address and VAT number that should "
            "appear on the invoice?",
            "Is the invoice for order {order} only, or also for the reprint we sent later?",
        ),
        answers=(
            "I have issued the corrected invoice {invoice}; you will find it in your account "
            "under Orders and attached to this message.",
            "The VAT invoice for order {order} ({amount}) is now available in your account.",
        ),
        notes=(
            "Correcting invoice {invoice}: old one cancelled in the accounting system.",
            "Customer needs invoices on company name from now on, noted in profile.",
        ),
    ),
    "refund": Topic(
        subjects=(
            "Refund for order {order}",
            "Please cancel my order and refund",
            "Still waiting for my refund",
        ),
        problems=(
            "I would like to cancel order {order} and get a refund of {amount}. I ordered the "
            "wrong fabric by mistake.",
            "Two weeks ago you promised a refund of {amount} for the misprinted {fabric}, but "
            "I have not received anything yet.",
            "The printed {fabric} arrived with the pattern shifted by a few centimetres. I do "
            "not want a reprint, I want my money back.",
        ),
        details=(
            "I paid by card.",
            "I can send the fabric back if needed.",
        ),
        info=(
            "My bank says nothing has arrived yet. Could you send me a confirmation of the "
            "transfer?",
            "I have sent the fabric back today with tracking number {tracking}.",
        ),
        asks=(
            "Could you send us a photo of the misprint next to a ruler, so production can "
            "check what went wrong?",
            "Has the order already been printed? If not, I can cancel it right away.",
        ),
        answers=(
            "I have refunded {amount} to your card today. Depending on the bank it takes "
            "3 to 5 working days to appear.",
            "Order {order} is cancelled and the full amount of {amount} has been returned to "
            "the original payment method.",
        ),
        notes=(
            "Refund {amount} approved by supervisor, sent through the payment provider.",
            "Misprint confirmed by production (registration error on machine 2).",
        ),
    ),
    "payment": Topic(
        subjects=(
            "Charged twice for order {order}",
            "Payment failed but money is gone",
            "Bank transfer not matched to my order",
        ),
        problems=(
            "My card was charged twice for order {order}, {amount} each time. Please refund "
            "the second payment.",
            "The payment page showed an error, but the money ({amount}) has left my account "
            "and the order still says unpaid.",
            "I paid order {order} by bank transfer {days} days ago, but it still shows as "
            "waiting for payment.",
        ),
        details=(
            "I attached a screenshot of my bank statement.",
            "I need the fabric soon, so please do not cancel the order.",
        ),
        info=(
            "The transfer title was just my name, sorry, I forgot the order number.",
            "I checked again and there are still two charges on my statement.",
        ),
        asks=(
            "Could you send the date and exact amount of the transfer? We could not find it "
            "under order {order}.",
            "Is the second charge marked as pending or as booked on your statement?",
        ),
        answers=(
            "You were right: the second charge of {amount} was a duplicate. I have refunded it "
            "and order {order} is marked as paid.",
            "We found your transfer and matched it to order {order}. It is now in production.",
        ),
        notes=(
            "Payment provider shows two authorisations; second one voided.",
            "Transfer found in the bank statement without order number, matched by hand.",
        ),
    ),
    "broken_file": Topic(
        subjects=(
            "My design file was rejected",
            "Upload fails for order {order}",
            "Print preview looks blurry",
        ),
        problems=(
            "I uploaded my design for order {order}, but the shop says the file is damaged. "
            "It opens fine on my computer.",
            "The preview of my pattern looks very blurry. The file is {dpi} dpi, is that "
            "enough for {fabric}?",
            "The upload stops at 99% every time. The file is a 180 MB TIFF.",
        ),
        details=(
            "I tried with two different browsers.",
            "I exported the design from Illustrator as PDF.",
        ),
        info=(
            "I have exported it again as PNG at 150 dpi, the new upload worked.",
            "Still the same problem with the new file, it stops at the end again.",
        ),
        asks=(
            "Could you send the file through a download link (WeTransfer or similar)? Then "
            "our prepress team can check it directly.",
            "Which program did you export the file from, and with which settings?",
        ),
        answers=(
            "Our prepress team repaired the file (an embedded colour profile was broken). "
            "The corrected preview is now in order {order}.",
            "For {fabric} we need at least 150 dpi at the final size. I have rescaled your "
            "design; the new preview looks sharp.",
        ),
        notes=(
            "File has a CMYK profile with spot colours, the RIP rejects it. Converted to sRGB.",
            "Upload limit is 150 MB, customer's file is bigger. Asked for a link.",
        ),
    ),
    "colour": Topic(
        subjects=(
            "Colours do not match my design",
            "Printed colours much darker than on screen",
            "Colour difference between two orders",
        ),
        problems=(
            "The navy blue in my design came out almost black on the {fabric}. On screen it "
            "is clearly blue.",
            "I ordered the same design twice ({order} and an earlier one) and the red is "
            "different on each.",
            "The pastel colours look washed out on the {fabric}. Is that normal?",
        ),
        details=(
            "I can send photos in daylight.",
            "I need to match the colour to a fabric I already have.",
        ),
        info=(
            "Here are the photos in daylight, the difference is clearly visible.",
            "The colour chart arrived, the closest to my blue is number 214.",
        ),
        asks=(
            "Could you send a photo of the fabric in daylight next to the colour on your "
            "screen or a printout?",
            "Would you like us to send you our printed colour chart on {fabric}, so you can "
            "pick the exact shade?",
        ),
        answers=(
            "Natural fibres absorb ink differently. We have reprinted {metres} m with the "
            "colour corrected to chart number 214, free of charge.",
            "I have sent you a colour chart on {fabric}. Choose the code and we will print "
            "the next order with exactly that shade.",
        ),
        notes=(
            "Colour drift confirmed, new ink batch on machine 1. Reprint approved.",
            "Customer's file is in CMYK with a US profile; explained, reprint not needed.",
        ),
    ),
    "delay": Topic(
        subjects=(
            "Where is my order {order}?",
            "Delivery is late",
            "Order {order} not delivered yet",
        ),
        problems=(
            "My order {order} should have arrived {days} days ago, but the tracking number "
            "{tracking} shows no movement.",
            "The courier was supposed to come yesterday between 10 and 14, nobody came and "
            "nobody called.",
            "It is now {days} days after shipping and order {order} is still not here.",
        ),
        details=(
            "I need the fabric for a wedding on Saturday.",
            "I stayed at home all day waiting.",
        ),
        info=(
            "It still has not arrived. The tracking page now says address unknown.",
            "The parcel came today, but only one of the two rolls.",
        ),
        asks=(
            "Could you confirm the delivery address and a phone number the driver can call?",
            "Could you check with your neighbours or the building reception? The driver "
            "marked it as delivered.",
        ),
        answers=(
            "Our own courier will deliver order {order} tomorrow between 9 and 13. The driver "
            "will call you 30 minutes before.",
            "The parcel was stuck at the depot in {city}. It has been sent out again today "
            "with express delivery at our cost.",
        ),
        notes=(
            "Depot in {city} confirms the parcel was mis-sorted. Re-sent as express.",
            "Driver route was cancelled yesterday (van breakdown), 14 parcels affected.",
        ),
    ),
    "damaged": Topic(
        subjects=(
            "Parcel arrived damaged",
            "Wrong fabric delivered in order {order}",
            "Fabric wet and stained on delivery",
        ),
        problems=(
            "The parcel with order {order} arrived torn open and the {fabric} inside has "
            "dirty marks.",
            "I ordered {fabric}, but the roll I received is a different fabric with somebody "
            "else's pattern.",
            "The box was wet when it arrived and the fabric has water stains along one edge.",
        ),
        details=(
            "I took photos of the box before opening it.",
            "The driver left before I could check the parcel.",
        ),
        info=(
            "The photos are attached. The marks do not wash out.",
            "The courier picked up the wrong roll today.",
        ),
        asks=(
            "Could you send photos of the parcel and the damaged part of the fabric? Then we "
            "can reprint immediately.",
            "Please keep the packaging for now; the courier company may want to see it.",
        ),
        answers=(
            "I am sorry about this. We have reprinted order {order} and it ships today. You "
            "can keep or throw away the damaged fabric.",
            "The correct roll of {fabric} is on its way with tracking number {tracking}. The "
            "courier will take the wrong one back at the same time.",
        ),
        notes=(
            "Damage claim opened with the carrier, photos attached to the claim.",
            "Packing mix-up: two orders with similar numbers packed on the same table.",
        ),
    ),
    "address": Topic(
        subjects=(
            "Change delivery address for {order}",
            "Can I pick up my order in person?",
            "Wrong postcode in my order",
        ),
        problems=(
            "Could you deliver order {order} to my office instead? I will not be at home "
            "this week.",
            "I live close to your workshop. Can I pick up order {order} myself instead of "
            "paying for delivery?",
            "I made a mistake in the postcode of order {order}. Can you correct it before "
            "shipping?",
        ),
        details=(
            "The new address is in {city}, same street as before, number 14.",
            "Any day after 16:00 works for me.",
        ),
        info=(
            "The correct address is 14 Mill Lane, {city}. Thank you!",
            "I can come on Thursday afternoon.",
        ),
        asks=(
            "Could you send the complete new address with postcode, and a phone number for "
            "the driver?",
            "Order {order} has already left our workshop. Do you want us to redirect it, or "
            "should the courier try the old address first?",
        ),
        answers=(
            "Done: order {order} will be delivered to the new address in {city}. The driver "
            "will call before arriving.",
            "You can pick up order {order} at our workshop on weekdays from 9 to 17. The "
            "delivery fee has been refunded.",
        ),
        notes=(
            "Address changed in the courier system before the route was fixed.",
            "Pick-up arranged, parcel moved to the shelf at the workshop reception.",
        ),
    ),
}

LANGUAGE = Language(
    code="en",
    hello=("Hello,", "Hi,", "Good morning,", "Dear Tkanina Print team,"),
    bye=("Best regards,", "Thanks in advance,", "Kind regards,", "Thank you,"),
    agent_hello_named=("Hello {name},", "Hi {name},", "Dear {name},"),
    agent_hello=("Hello,", "Good day,"),
    agent_bye=(
        "Best regards,\n{agent}\nTkanina Print customer care",
        "Kind regards,\n{agent} from Tkanina Print",
        "Have a nice day,\n{agent}",
    ),
    phone_prefix="Phone call, notes taken by the agent: ",
    chat_prefix="",
    nudges=(
        "Is there any news about this?",
        "I have not heard back yet. Could you please check?",
        "Just following up on my message from last week.",
    ),
    thanks=(
        "Thank you, that solves it!",
        "Great, thanks for the quick help.",
        "Received, everything looks fine now. Thank you.",
    ),
    progress=(
        "Thank you for your message. I have passed it to our production team and will get "
        "back to you by tomorrow.",
        "I am looking into this now and will update you as soon as I know more.",
        "Thank you for your patience. The workshop is checking your order today.",
    ),
    hold_notes=(
        "Waiting for the new fabric delivery from our supplier, expected in {days} days.",
        "On hold until production finishes the test print.",
        "Waiting for the courier company to answer the claim.",
    ),
    triage_notes=(
        "Looks like a duplicate of an earlier request, checking before answering.",
        "Customer called as well, same question.",
        "Routine question, answer with the standard text.",
    ),
    escalations=(
        "Customer mentions a chargeback with the bank.",
        "Third complaint from this customer this month.",
        "Large wholesale customer, order worth {amount}.",
    ),
    priority_reasons=(
        "Event date is this week.",
        "Customer is waiting for the refund for a long time.",
        "Wholesale customer.",
    ),
    fabrics={
        "cotton": "cotton poplin",
        "linen": "linen",
        "satin": "satin",
        "velvet": "velvet",
        "canvas": "cotton canvas",
        "chiffon": "chiffon",
        "jersey": "cotton jersey",
        "oxford": "oxford cloth",
    },
    cities=("Bristol", "Leeds", "Dublin", "Manchester", "Edinburgh", "Norwich", "Cardiff"),
    money="€{amount}",
    topics=TOPICS,
)
