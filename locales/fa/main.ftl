# Pages of the source interface. English is the source of truth.
# Keep sentences short and plain: readers may be frightened, tired, or
# reading in their second language.

site-name = Amanat
skip-to-content = رفتن به محتوای اصلی
language-menu = زبان

## Home page
index-title = گزارش امن اقدامات تلافی‌جویانه
index-intro = با این سرویس می‌توانید تهدید، حمله یا دیگر اقدامات تلافی‌جویانه را گزارش کنید که به خاطر فعالیت حقوق بشری، از جمله ارتباط با سازمان ملل متحد، علیه شما یا دیگران انجام شده است.
index-encrypted = هر چه بفرستید، فوراً رمزگذاری می‌شود. فقط یک گروه کوچک از بررسی‌کنندگان مورد اعتماد می‌توانند آن را بخوانند. ما نشانی شما یا دستگاه شما را ثبت نمی‌کنیم.
index-safety-title = ایمن بمانید
index-safety-tor = از Tor Browser استفاده کنید و سطح امنیت آن را روی «امن‌ترین» بگذارید. این سایت بدون JavaScript کاملاً کار می‌کند.
index-safety-device = اگر ممکن است کسی تلفن یا رایانه شما را بازرسی کند، از دستگاهی استفاده کنید که به آن دسترسی ندارد، و در پایان مرورگر را ببندید.
index-safety-names = لازم نیست نام خود را بگویید. در صفحه بعد خودتان انتخاب می‌کنید.
index-start = شروع گزارش
index-followup = قبلاً گزارشی فرستاده‌ام

## Step 1: anonymity
report-title = گزارش شما
report-step1-intro = ابتدا انتخاب کنید که با هویت شما چگونه رفتار کنیم. می‌توانید هر گزینه را با حوصله بخوانید.
report-continue = ادامه
report-change-anonymity = تغییر این انتخاب
report-chosen-anonymity = انتخاب شما: { $choice }

## The form
report-intro = به پرسش‌هایی که با «الزامی» مشخص شده‌اند باید پاسخ دهید. بقیه اختیاری است.
report-required = الزامی
report-section-report = درباره آنچه رخ داد
report-section-identity = درباره شما
report-section-identity-help = همه اختیاری است. فقط بررسی‌کنندگانی که اجازه دیدن هویت‌ها را دارند می‌توانند این بخش را بخوانند.
report-section-consent = با گزارش شما چه کارهایی مجاز است؟
report-section-consent-help = هر پاسخ جداگانه است. اگر چیزی نگویید، پاسخ «خیر» است. بعداً می‌توانید نظرتان را تغییر دهید.
report-select-placeholder = یکی را انتخاب کنید
report-month-unknown = ماه نامعلوم
report-day-unknown = روز نامعلوم
report-warning = مراقب باشید
report-submit = ارسال امن گزارش
report-submit-help = گزارش شما پیش از ذخیره رمزگذاری می‌شود.
report-errors-title = { $count ->
    [one] لطفاً { $count } پاسخ را بررسی کنید
   *[other] لطفاً { $count } پاسخ را بررسی کنید
}
report-errors-intro = هنوز چیزی فرستاده نشده است. پاسخ‌های شما در پایین نگه داشته شده‌اند.

## Field errors
error-required = این پرسش نیاز به پاسخ دارد.
error-invalid-choice = لطفاً یکی از گزینه‌های نمایش‌داده‌شده را انتخاب کنید.
error-too-long = این پاسخ خیلی طولانی است: حداکثر { $max } نویسه.
error-invalid-year = لطفاً سالی بین { $min } و { $max } وارد کنید.
error-invalid-date = این تاریخ وجود ندارد. لطفاً روز و ماه را بررسی کنید.
error-day-without-month = لطفاً علاوه بر روز، ماه را هم وارد کنید.
error-identity-anonymous = شما ناشناس ماندن را انتخاب کرده‌اید، پس نمی‌توانیم نام یا راه تماس بپذیریم. چیزی ذخیره نشد.
error-not-allowed = این پاسخ فقط با انتخاب دیگری درباره هویت شما ممکن است.
error-control-chars = این پاسخ نویسه‌هایی دارد که نمی‌توان آن‌ها را ذخیره کرد. لطفاً آن‌ها را حذف کنید.

## Confirmation
confirm-title = گزارش شما دریافت شد
confirm-body = گزارش شما رمزگذاری و ذخیره شد. یکی از بررسی‌کنندگان آن را می‌خواند.
confirm-next = وقتی کارتان تمام شد، این پنجره مرورگر را ببندید. اگر ممکن است کسی این دستگاه را بازرسی کند، تاریخچه مرور را پاک کنید.

## Error pages
error-title = مشکلی پیش آمد
error-back = بازگشت به ابتدا
error-bad-request = فرم خوانده نشد: { $detail }. چیزی ذخیره نشد. لطفاً برگردید و دوباره تلاش کنید.
error-bad-request-detail-encoding = متن در قالبی خوانا نبود
error-bad-request-detail-form = داده‌های فرم ناقص یا نادرست بود
error-bad-request-detail-fields = فرم فیلدهای غیرمنتظره یا تکراری داشت
error-csrf = این فرم منقضی شده است یا از این سایت فرستاده نشده است. چیزی ذخیره نشد. لطفاً فرم را دوباره باز کنید. متأسفیم، پاسخ‌های شما نگه داشته نشد.
error-not-found = این صفحه وجود ندارد.
error-too-large = آنچه فرستادید خیلی بزرگ است (حد مجاز: { $limit }). چیزی ذخیره نشد. لطفاً متن را کوتاه‌تر کنید و دوباره تلاش کنید.
error-too-many = در حال حاضر افراد زیادی از این سرویس استفاده می‌کنند. چیزی ذخیره نشد. لطفاً یک دقیقه دیگر دوباره تلاش کنید.
error-busy = سرور مشغول است. چیزی ذخیره نشد. لطفاً یک دقیقه دیگر دوباره تلاش کنید.
error-stalled = ارسال شما پیش از کامل شدن متوقف شد، بنابراین چیزی ذخیره نشد. لطفاً اتصال خود را بررسی کنید و دوباره تلاش کنید.
error-no-reviewers = این سرویس هنوز نمی‌تواند گزارش بپذیرد، چون هنوز هیچ بررسی‌کننده‌ای برای خواندن گزارش‌ها تعیین نشده است. چیزی ذخیره نشد. لطفاً بعداً دوباره تلاش کنید.
error-internal = سرور دچار مشکل شد و چیزی ذخیره نشد. لطفاً بعداً دوباره تلاش کنید.
error-method = این نشانی چنین نوع درخواستی را نمی‌پذیرد.
error-identity-unavailable = هنوز هیچ بررسی‌کننده‌ای نمی‌تواند نام‌ها و راه‌های تماس را بخواند، پس نمی‌توانیم آن‌ها را بپذیریم. لطفاً این قسمت را خالی بگذارید. چیزی ذخیره نشد.

## Codename (confirmation page)
codename-title = رمزنام شما
codename-intro = این رمزنام تنها راه بازگشت، خواندن پاسخ‌ها و افزودن اطلاعات است. فقط یک بار نمایش داده می‌شود.
codename-advice-write = آن را روی کاغذ بنویسید یا از بر کنید. آن را از هر کسی که ممکن است شما را بازرسی کند دور نگه دارید.
codename-advice-device = آن را در تلفن یا رایانه‌ای که ممکن است از شما گرفته شود ذخیره نکنید.
codename-advice-lost = هیچ‌کس نمی‌تواند آن را بازیابی کند، حتی ما. اگر آن را گم کنید، می‌توانید گزارش تازه‌ای بفرستید.
codename-followup = برای بازگشت در آینده، در صفحه اول «قبلاً گزارشی فرستاده‌ام» را انتخاب کنید.

## Follow-up
followup-title = بازگشت به گزارش شما
followup-intro = رمزنام خود را وارد کنید تا پاسخ‌ها را بخوانید و اطلاعات بیشتری اضافه کنید.
followup-codename-label = رمزنام شما
followup-codename-help = واژه‌هایی که به شما داده شد، با حروف لاتین و با فاصله میان آن‌ها. حروف بزرگ و کوچک فرقی نمی‌کند.
followup-login = باز کردن گزارش من
followup-check-words = با این واژه‌ها نتوانستیم گزارشی را باز کنیم. لطفاً واژه‌ها و ترتیب آن‌ها را بررسی کنید و دوباره تلاش کنید.
followup-session-ended = برای ایمنی شما، نشست شما به پایان رسید. لطفاً رمزنام خود را دوباره وارد کنید.
followup-busy = سرور مشغول است. لطفاً یک دقیقه دیگر دوباره تلاش کنید.
followup-status-title = وضعیت
followup-status-received = دریافت شد. یکی از بررسی‌کنندگان آن را می‌خواند.
followup-status-in_review = در حال بررسی.
followup-status-closed = بسته شده.
followup-replies-title = پاسخ‌ها
followup-no-replies = هنوز پاسخی نیامده است. لطفاً بعداً دوباره سر بزنید.
followup-reply-from = پاسخ دریافت‌شده در { $day }
followup-delete-reply = حذف این پاسخ
followup-deleted = پاسخ حذف شد.
followup-message-title = افزودن اطلاعات
followup-message-help = پیام شما رمزگذاری می‌شود و به گزارش شما افزوده می‌شود. دیگر نمی‌توانید آن را اینجا بخوانید.
followup-message-send = ارسال امن
followup-message-sent = پیام شما دریافت شد.
followup-message-empty = لطفاً ابتدا پیامی بنویسید.
followup-message-too-long = این پیام خیلی طولانی است: حداکثر { $max } نویسه.
followup-logout = خروج از گزارش من
followup-logged-out = گزارش شما در این دستگاه بسته شد. پنجره مرورگر را هم ببندید.

## Attachments
attachments-keep-label = حفظ فراداده‌های اصلی. این کار می‌تواند به اثبات اصالت فایل کمک کند، اما ممکن است هویت شما را هم آشکار کند.
attachments-limits = حداکثر { $count } فایل، هر کدام تا { $size }.
files-choose-again = فایل‌های شما نگه داشته نشد: لطفاً پیش از فرستادن دوباره آن‌ها را انتخاب کنید.
confirm-files-title = فایل‌های شما
file-result-cleaned = حذف شد: { $removed }.
file-result-nothing-found = چیزی که هویت شما را آشکار کند پیدا نشد.
file-result-not-cleanable = این نوع فایل را نمی‌توان پاک‌سازی کرد؛ همان‌طور که فرستاده شد ذخیره شد.
file-result-kept-original = طبق درخواست شما، همان‌طور که فرستاده شد ذخیره شد.
removed-location = مکان
removed-camera = دوربین
removed-author = نویسنده
removed-software = نرم‌افزار
removed-dates = تاریخ‌ها
removed-comments = یادداشت‌ها
removed-thumbnail = تصویر پیش‌نمایش
removed-identifiers = شناسه‌های سند
removed-other = جزئیات دیگر
error-too-many-files = تعداد فایل‌ها زیاد است: حداکثر { $limit } فایل می‌توانید بفرستید. چیزی ذخیره نشد.
error-file-too-large = فایل { $name } خیلی بزرگ است (حد مجاز: { $limit }). چیزی ذخیره نشد.
error-submission-too-large = مجموع فایل‌ها خیلی بزرگ است (حد مجاز: { $limit }). چیزی ذخیره نشد.
error-file-cannot-clean = نتوانستیم جزئیاتی را که ممکن است هویت شما را آشکار کند از { $name } حذف کنیم: شاید فایل آسیب دیده باشد. چیزی ذخیره نشد. می‌توانید آن را با علامت زدن «حفظ فراداده‌های اصلی» دوباره بفرستید، یا آن را کنار بگذارید.
error-file-too-large-to-clean = فایل { $name } برای پاک‌سازی خیلی بزرگ است (حد مجاز برای این نوع: { $limit }). چیزی ذخیره نشد. می‌توانید آن را با علامت زدن «حفظ فراداده‌های اصلی» دوباره بفرستید، یا آن را کنار بگذارید.
followup-withdraw-title = پس گرفتن رضایت
followup-withdraw-help = مواردی را که دیگر با آن‌ها موافق نیستید علامت بزنید. بررسی‌کنندگان از این پس به آن احترام می‌گذارند.
followup-withdraw-submit = رضایتم را پس می‌گیرم
followup-withdraw-done = پس گرفتن رضایت شما ثبت شد.
followup-withdraw-none = لطفاً دست‌کم یک مورد را برای پس گرفتن علامت بزنید.
